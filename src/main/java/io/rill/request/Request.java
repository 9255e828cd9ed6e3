package io.rill.request;

/** A valid request of some kind: its id (the reply's key) and the model it asks. */
public interface Request {

    String id();

    String model();
}
