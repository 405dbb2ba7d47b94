/** A Spring Boot order service made exactly-once by {@code dedup-spring-boot}. */
package io.github.kafkadedup.examples.spring;
