/**
 * Feature generation: unary transformations and binary combinations over the step schedule of
 * autofeat, enumerated lazily and evaluated in caller-sized batches, with survivors kept in a
 * {@link io.memguard.autofeat.internal.feateng.ColumnStore}.
 */
package io.memguard.autofeat.internal.feateng;
