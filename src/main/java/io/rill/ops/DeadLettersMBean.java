package io.rill.ops;

/** JMX view of everything rill refused, {@code rill:type=DeadLetters}: one counter per reason and their total. */
public interface DeadLettersMBean {

    long getTotal();

    long getNullValue();

    long getEmpty();

    long getMalformedUtf8();

    long getTooLarge();

    long getControlCharacter();

    /** Lines learners refused from records whose other lines they used (a labelled line without a tab, ...). */
    long getRejectedLines();

    /** Those lines by reason, e.g. "no-tab=3 label-too-long=1". */
    String getRejectedLinesByReason();

    /** Dead-letter records that could not be written (the stream then fails and restarts; nothing is committed). */
    long getWriteFailures();
}
