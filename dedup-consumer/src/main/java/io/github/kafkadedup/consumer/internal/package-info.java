/** Implementation of kafka-dedup's consumer engine; not an API, may change in any release. */
@NullMarked
package io.github.kafkadedup.consumer.internal;

import org.jspecify.annotations.NullMarked;
