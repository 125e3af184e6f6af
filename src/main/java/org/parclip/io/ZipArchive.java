package org.parclip.io;

import org.parclip.cli.UserException;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.parclip.io.LittleEndian.INT;

/**
 * A zip archive read from its central directory (ZIP64 included), as torch.save, TorchScript and numpy write them.
 * Stored entries are slices of the underlying (usually memory-mapped) segment; deflated ones are inflated on
 * demand, never past their declared size or the largest size deflate can expand their compressed bytes to.
 */
final class ZipArchive {
    static final int LOCAL_MAGIC = 0x04034b50;
    private static final int CENTRAL_MAGIC = 0x02014b50;
    private static final int END_MAGIC = 0x06054b50;
    private static final int END64_MAGIC = 0x06064b50;
    private static final int END64_LOCATOR_MAGIC = 0x07064b50;
    /** deflate cannot expand data by more than about 1032:1; a larger declared size is a lie. */
    private static final long MAX_DEFLATE_RATIO = 1032;

    record Entry(String name, int method, long compressedSize, long size, long dataOffset) {
    }

    private final MemorySegment seg;
    private final String what;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private ZipArchive(MemorySegment seg, String what) {
        this.seg = seg;
        this.what = what;
    }

    static boolean looksLikeZip(MemorySegment seg) {
        return seg.byteSize() >= 22 && (seg.get(INT, 0) == LOCAL_MAGIC || seg.get(INT, 0) == END_MAGIC);
    }

    static ZipArchive open(MemorySegment seg, String what) {
        ZipArchive z = new ZipArchive(seg, what);
        z.readCentralDirectory();
        return z;
    }

    Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The bytes of an entry; a slice of the archive for stored entries. */
    MemorySegment read(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new UserException(what + " lacks the entry " + name);
        MemorySegment raw = seg.asSlice(e.dataOffset, e.compressedSize);
        if (e.method == 0) {
            if (e.compressedSize != e.size) throw corrupt("stored entry " + name + " has inconsistent sizes");
            return raw;
        }
        return inflate(e, raw);
    }

    private MemorySegment inflate(Entry e, MemorySegment raw) {
        if (e.size > Integer.MAX_VALUE - 8)
            throw new UserException(what + ": compressed entry " + e.name + " is too large; store it uncompressed");
        if (e.size > Math.max(1024, e.compressedSize * MAX_DEFLATE_RATIO))
            throw corrupt("entry " + e.name + " claims an impossible compression ratio");
        byte[] out = new byte[(int) e.size];
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(raw.asByteBuffer());
            byte[] overflow = new byte[1];
            int n = 0;
            while (!inf.finished()) {
                int k = n < out.length ? inf.inflate(out, n, out.length - n) : inf.inflate(overflow);
                if (n >= out.length && k > 0) throw corrupt("entry " + e.name + " inflates past its declared size");
                if (k == 0 && (inf.needsInput() || inf.needsDictionary()))
                    throw corrupt("entry " + e.name + " is truncated");
                n += k;
            }
            if (n != out.length) throw corrupt("entry " + e.name + " inflates short of its declared size");
            return MemorySegment.ofArray(out);
        } catch (DataFormatException ex) {
            throw corrupt("entry " + e.name + " is not valid deflate data");
        } finally {
            inf.end();
        }
    }

    private void readCentralDirectory() {
        long size = seg.byteSize();
        long end = -1;
        for (long p = size - 22; p >= Math.max(0, size - 22 - 65535); p--) {
            if (seg.get(INT, p) == END_MAGIC) {
                end = p;
                break;
            }
        }
        if (end < 0) throw corrupt("no zip end-of-central-directory record (truncated?)");
        Cursor c = new Cursor(seg, end + 10, what);
        long count = c.u16();
        long cdSize = c.u32();
        long cdOffset = c.u32();
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            if (end < 20 || seg.get(INT, end - 20) != END64_LOCATOR_MAGIC)
                throw corrupt("ZIP64 end record locator missing");
            long end64 = new Cursor(seg, end - 12, what).i64();
            Cursor c64 = new Cursor(seg, 0, what).skip(end64);
            if (c64.i32() != END64_MAGIC) throw corrupt("ZIP64 end record missing");
            c64.skip(20);
            count = c64.i64();
            c64.i64();
            cdSize = c64.i64();
            cdOffset = c64.i64();
        }
        Cursor cd = new Cursor(seg, 0, what).skip(cdOffset);
        cd.need(cdSize);
        // Each central record takes at least 46 bytes: bounds the loop by the file size, whatever count says.
        if (count < 0 || count > cdSize / 46) throw corrupt("entry count " + count + " exceeds the directory size");
        for (long i = 0; i < count; i++) readCentralRecord(cd);
    }

    private void readCentralRecord(Cursor cd) {
        if (cd.i32() != CENTRAL_MAGIC) throw corrupt("bad central directory record");
        cd.skip(4);
        int flags = cd.u16();
        int method = cd.u16();
        cd.skip(8);
        long csize = cd.u32();
        long usize = cd.u32();
        int nameLen = cd.u16();
        int extraLen = cd.u16();
        int commentLen = cd.u16();
        cd.skip(8);
        long local = cd.u32();
        String name = new String(cd.bytes(nameLen), StandardCharsets.UTF_8);
        Cursor extra = new Cursor(cd.slice(extraLen), 0, what);
        cd.skip(commentLen);
        while (extra.remaining() >= 4) {
            int id = extra.u16();
            Cursor field = new Cursor(extra.slice(extra.u16()), 0, what);
            if (id != 1) continue;
            // ZIP64 extra: only the fields whose 32-bit slot is saturated appear, in this order.
            if (usize == 0xffffffffL) usize = field.i64();
            if (csize == 0xffffffffL) csize = field.i64();
            if (local == 0xffffffffL) local = field.i64();
        }
        if ((flags & 1) != 0) throw new UserException(what + ": entry " + name + " is encrypted");
        if (method != 0 && method != 8)
            throw new UserException(what + ": entry " + name + " uses unsupported compression method " + method);
        if (csize < 0 || usize < 0) throw corrupt("entry " + name + " has a negative size");
        Cursor lh = new Cursor(seg, 0, what).skip(local);
        if (lh.i32() != LOCAL_MAGIC) throw corrupt("entry " + name + " has no local header");
        lh.skip(22);
        int localName = lh.u16();
        int localExtra = lh.u16();
        lh.skip(localName).skip(localExtra).need(csize);
        if (entries.putIfAbsent(name, new Entry(name, method, csize, usize, lh.position())) != null)
            throw corrupt("duplicate entry " + name);
    }

    private UserException corrupt(String why) {
        return new UserException(what + " is not a valid zip archive: " + why);
    }

}
