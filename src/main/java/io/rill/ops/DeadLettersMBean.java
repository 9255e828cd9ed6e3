package io.rill.ops;

/** JMX view of everything rill refused, {@code rill:type=DeadLetters}: one counter per reason and their total. */
public interface DeadLettersMBean {

    long getTotal();

    long getNullValue();

    long getEmpty();

    long getMalformedUtf8();

    long getTooLarge();

    long getControlCharacter();

    /** Dead-letter records that could not be written (the stream then fails and restarts; nothing is committed). */
    long getWriteFailures();
}
