package org.parclip.io;

import org.parclip.cli.UserException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.parclip.io.LittleEndian.INT;
import static org.parclip.io.LittleEndian.LONG;
import static org.parclip.io.LittleEndian.SHORT;

/**
 * Sequential little-endian reads from a segment. Every read checks the bytes that remain first, so a length field
 * in an untrusted file can never make a caller allocate or read more than the file holds.
 */
final class Cursor {

    private final MemorySegment seg;
    private final String what;
    private long pos;

    Cursor(MemorySegment seg, long pos, String what) {
        this.seg = seg;
        this.pos = pos;
        this.what = what;
    }

    long position() {
        return pos;
    }

    long remaining() {
        return seg.byteSize() - pos;
    }

    /** Fails unless {@code n} more bytes exist; {@code n} may come straight from the file (any sign, any size). */
    void need(long n) {
        if (n < 0 || n > remaining())
            throw new UserException(what + " is truncated or corrupt: needs " + Long.toUnsignedString(n)
                    + " bytes at offset " + pos + ", " + remaining() + " remain");
    }

    int u8() {
        need(1);
        return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
    }

    int u16() {
        need(2);
        int v = seg.get(SHORT, pos) & 0xffff;
        pos += 2;
        return v;
    }

    int i32() {
        need(4);
        int v = seg.get(INT, pos);
        pos += 4;
        return v;
    }

    long u32() {
        return i32() & 0xffffffffL;
    }

    long i64() {
        need(8);
        long v = seg.get(LONG, pos);
        pos += 8;
        return v;
    }

    /** Moves past the next {@code n} bytes. */
    Cursor skip(long n) {
        need(n);
        pos += n;
        return this;
    }

    /** A slice of the next {@code n} bytes (no copy). */
    MemorySegment slice(long n) {
        need(n);
        MemorySegment s = seg.asSlice(pos, n);
        pos += n;
        return s;
    }

    /** The next {@code n} bytes copied into an array; {@code n} is checked against the remaining bytes first. */
    byte[] bytes(long n) {
        return slice(n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Bytes up to (not including) the next '\n', which is consumed; at most {@code max} bytes are scanned. */
    byte[] line(int max) {
        for (long i = pos, end = Math.min(seg.byteSize(), pos + max); i < end; i++) {
            if (seg.get(ValueLayout.JAVA_BYTE, i) == '\n') {
                byte[] b = bytes(i - pos);
                pos++;
                return b;
            }
        }
        throw new UserException(what + " is truncated or corrupt: unterminated line at offset " + pos);
    }
}
