package org.parclip.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.parclip.cli.UserException;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads chosen columns, by header name, of a CSV (or TSV) file with a header row. */
final class CsvTable {
    private CsvTable() {
    }

    /** Each row's values of {@code columns}, in that order; a missing column or short row is a UserException. */
    static List<String[]> read(Path csv, char separator, String... columns) throws IOException {
        // Missing column names allowed: pandas' to_csv writes an unnamed index column first.
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(separator).setHeader().setSkipHeaderRecord(true)
                .setAllowMissingColumnNames(true).build();
        try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8); CSVParser parser = format.parse(in)) {
            for (String column : columns)
                if (!parser.getHeaderMap().containsKey(column))
                    throw new UserException(csv + ": no column '" + column + "' (columns: "
                            + String.join(", ", parser.getHeaderNames()) + ")");
            List<String[]> rows = new ArrayList<>();
            for (CSVRecord record : parser) {
                String[] row = new String[columns.length];
                for (int i = 0; i < columns.length; i++) {
                    if (!record.isSet(columns[i]))
                        throw new UserException(csv + ": line " + parser.getCurrentLineNumber() + " has no '" + columns[i] + "' value");
                    row[i] = record.get(columns[i]);
                }
                rows.add(row);
            }
            return rows;
        } catch (UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
            // Commons CSV reports malformed quoting this way.
            throw new UserException(csv + ": malformed CSV: " + e.getMessage(), e);
        }
    }
}
