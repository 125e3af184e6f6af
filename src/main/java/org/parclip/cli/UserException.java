package org.parclip.cli;

/**
 * A mistake the user can fix (missing file, bad value, unsupported input). The CLI prints its message on one line
 * and exits with code 2, never a stack trace. Library code throws it for bad input too (e.g. a corrupt checkpoint).
 */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
