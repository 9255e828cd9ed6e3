package io.rill.lstm;

/**
 * The bounds a generation request must stay within, so that one request cannot occupy a model for long or flood the
 * reply topic. Lengths count code points, the prefix included.
 */
public record GenerationLimits(int maxRequestBytes, int maxCount, int maxLength, int defaultMaxLength) {

    public GenerationLimits {
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("max-request-bytes must be positive, got " + maxRequestBytes);
        }
        if (maxCount <= 0) {
            throw new IllegalArgumentException("max-count must be positive, got " + maxCount);
        }
        if (maxLength <= 0) {
            throw new IllegalArgumentException("max-length must be positive, got " + maxLength);
        }
        if (defaultMaxLength <= 0 || defaultMaxLength > maxLength) {
            throw new IllegalArgumentException(
                    "default-max-length must be from 1 to max-length " + maxLength + ", got " + defaultMaxLength);
        }
    }

    /** 64 KiB requests, at most 100 samples of at most 256 code points, 32 unless asked otherwise. */
    public static GenerationLimits defaults() {
        return new GenerationLimits(65_536, 100, 256, 32);
    }
}
