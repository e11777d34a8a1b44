/**
 * Immutable expression trees in canonical form (the Java stand-in for sympy): construction with
 * canonical simplification, structural equality for deduplication, printing and evaluation on
 * columns.
 */
package io.memguard.autofeat.internal.expr;
