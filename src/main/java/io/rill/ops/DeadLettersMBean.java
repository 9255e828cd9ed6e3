package io.rill.ops;

/** JMX view of everything rill refused, {@code rill:type=DeadLetters}: one counter per reason and their total. */
public interface DeadLettersMBean {

    @Counter
    long getTotal();

    @Counter
    long getNullValue();

    @Counter
    long getEmpty();

    @Counter
    long getMalformedUtf8();

    @Counter
    long getTooLarge();

    @Counter
    long getControlCharacter();

    /** Lines learners refused from records whose other lines they used (a labelled line without a tab, ...). */
    @Counter
    long getRejectedLines();

    /** Those lines by reason, e.g. "no-tab=3 label-too-long=1". */
    String getRejectedLinesByReason();

    /** Dead-letter records that could not be written (the stream then fails and restarts; nothing is committed). */
    @Counter
    long getWriteFailures();
}
