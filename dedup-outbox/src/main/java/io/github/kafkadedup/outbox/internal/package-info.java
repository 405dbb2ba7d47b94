/** The outbox's machinery: row encoding, the writer, the relay loop. Not an API. */
@NullMarked
package io.github.kafkadedup.outbox.internal;

import org.jspecify.annotations.NullMarked;
