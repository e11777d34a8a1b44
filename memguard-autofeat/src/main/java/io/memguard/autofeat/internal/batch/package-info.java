/**
 * The batching contract between the autofeat engine and whoever manages its memory: the engine asks
 * {@link io.memguard.autofeat.internal.batch.EngineHooks} for each batch size and reports {@link
 * io.memguard.autofeat.internal.batch.BatchStats} after each batch.
 */
package io.memguard.autofeat.internal.batch;
