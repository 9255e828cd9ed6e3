package io.rill.ops;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a getter of a JMX bean interface whose number only grows while the node runs (records read, pairs trained,
 * failures): {@link MeterBridge} exports it to Prometheus as a counter, {@code rill_<type>_<attribute>_total}, so that
 * {@code rate()} and {@code increase()} apply. Every other numeric or boolean attribute is a gauge. A value restored
 * from a checkpoint at start is still a counter: Prometheus sees a new process start from it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Counter {
}
