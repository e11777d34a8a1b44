"""Writes the two held-out data sets of docs/performance.md, "Units and the Pi theorem", into DIR.

pipe.csv: 2,000 rows; density rho [kg/m^3], speed v [m/s], diameter D [m], length L [m], viscosity
mu [Pa*s], and two dimensionless columns x1, x2; the target is linear in the Reynolds number
rho*v*D/mu, in D/L and in x2, with noise.
regime.csv: 1,000 rows; rho, v, D [mm], mu, a temperature T [degC] that does not matter; the target is
1 where a noisy Reynolds number passes 1,000 (a flow regime), else 0.
Each with a seeded 20% test split (<name>_test_idx.txt, row numbers, one per line).

Usage: /usr/bin/python3 units_heldout.py DIR   (Debian's python3-numpy and python3-pandas)
"""
import sys

import numpy as np
import pandas as pd


def main(out):
    rs = np.random.RandomState(42)
    n = 2000
    rho = rs.uniform(600, 1400, n)
    v = rs.uniform(0.2, 3.0, n)
    D = rs.uniform(0.01, 0.3, n)
    L = rs.uniform(1, 20, n)
    mu = rs.uniform(0.05, 1.0, n)
    x1 = rs.normal(size=n)
    x2 = rs.uniform(0, 1, n)
    y = 0.002 * rho * v * D / mu + 30 * D / L + 0.5 * x2 + 0.05 * rs.normal(size=n)
    pd.DataFrame(dict(rho=rho, v=v, D=D, L=L, mu=mu, x1=x1, x2=x2, target=y)).to_csv(
        f"{out}/pipe.csv", index=False, float_format="%.10g")
    np.savetxt(f"{out}/pipe_test_idx.txt", np.sort(rs.permutation(n)[: n // 5]), fmt="%d")

    rs = np.random.RandomState(7)
    n = 1000
    rho = rs.uniform(700, 1300, n)
    v = rs.uniform(0.1, 2.0, n)
    D = rs.uniform(0.005, 0.1, n)
    mu = rs.uniform(0.01, 0.1, n)
    T = rs.uniform(280, 350, n)
    re = rho * v * D / mu
    target = (re * np.exp(0.1 * rs.normal(size=n)) > 1000).astype(int)
    pd.DataFrame(dict(rho=rho, v=v, D=D, mu=mu, T=T, target=target)).to_csv(
        f"{out}/regime.csv", index=False, float_format="%.10g")
    np.savetxt(f"{out}/regime_test_idx.txt", np.sort(rs.permutation(n)[: n // 5]), fmt="%d")


if __name__ == "__main__":
    main(sys.argv[1])
