/**
 * Feature selection in the manner of autofeat: repeated runs on row subsamples, an L1 fit on a
 * screened set, chunked L1 fits of the remaining columns against noise columns, vote ranking, a
 * correlation filter and a final noise filter, all working on column chunks rather than on the full
 * candidate matrix.
 */
package io.memguard.autofeat.internal.select;
