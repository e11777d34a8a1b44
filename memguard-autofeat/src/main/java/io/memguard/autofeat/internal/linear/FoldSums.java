package io.memguard.autofeat.internal.linear;

import io.memguard.autofeat.internal.math.Vectors;

/**
 * The columns, target and unshuffled K-fold split of one cross-validated path, with per-fold block sums of each
 * column, of the target and of their products; the base of the data the fits of one call share. Immutable after
 * construction, so concurrent reads are safe; subclasses add mutable caches.
 */
class FoldSums {
    final double[][] x;
    final double[] y;
    final int m;
    final KFold kf;
    final int folds;
    /** blockSum[f][j]: sum of column j over fold f's rows. */
    final double[][] blockSum;
    /** blockXy[f][j]: sum of x_j * y over fold f's rows. */
    final double[][] blockXy;
    final double[] blockY;

    FoldSums(double[][] x, int m, double[] y, KFold kf) {
        this.x = x;
        this.y = y;
        this.m = m;
        this.kf = kf;
        this.folds = kf.folds();
        int p = x.length;
        blockSum = new double[folds][p];
        blockXy = new double[folds][p];
        blockY = new double[folds];
        for (int f = 0; f < folds; f++) {
            blockY[f] = Vectors.sum(y, kf.start(f), kf.end(f));
        }
        for (int j = 0; j < p; j++) {
            for (int f = 0; f < folds; f++) {
                blockSum[f][j] = Vectors.sum(x[j], kf.start(f), kf.end(f));
                blockXy[f][j] = Vectors.dot(x[j], y, kf.start(f), kf.end(f));
            }
        }
    }

    /** The sum of {@code blocks[f][j]} over the training folds of fit {@code fold} (every fold but it; -1: all). */
    final double train(double[][] blocks, int fold, int j) {
        double sum = 0;
        for (int f = 0; f < folds; f++) {
            if (f != fold) {
                sum += blocks[f][j];
            }
        }
        return sum;
    }

    /** The sum of y over the training rows of fit {@code fold}. */
    final double trainY(int fold) {
        double sum = 0;
        for (int f = 0; f < folds; f++) {
            if (f != fold) {
                sum += blockY[f];
            }
        }
        return sum;
    }
}
