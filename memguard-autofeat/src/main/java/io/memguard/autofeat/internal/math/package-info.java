/**
 * Tight loops over primitive arrays shared by feature generation, selection and the linear models.
 */
package io.memguard.autofeat.internal.math;
