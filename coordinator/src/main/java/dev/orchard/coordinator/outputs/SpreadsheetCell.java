package dev.orchard.coordinator.outputs;

/**
 * A CSV value made safe to open in a spreadsheet (OWASP, "CSV Injection"): Excel, LibreOffice and Google Sheets run
 * a cell that starts with {@code =}, {@code +}, {@code -} or {@code @} (or a tab or carriage return before one) as a
 * formula, so a file named {@code =HYPERLINK(...).jpg} or a folder label {@code +cmd|...} could act when a user
 * opens {@code errors.csv} or {@code pca.csv}. Such a value gets a leading single quote, which spreadsheets show as
 * text and do not run; every other value is written as it is. A value that starts with {@code '} gets one too, so
 * that a program stripping one leading quote reads every value back as it was (the labels {@code '=x} and {@code =x}
 * were written alike: a user's walk), and a spreadsheet, which hides a leading quote, shows it whole. Quoting and
 * escaping of commas, quotes and line breaks is the CSV printer's job.
 */
final class SpreadsheetCell {

    private SpreadsheetCell() {
    }

    static String of(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        return switch (value.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r', '\'' -> "'" + value;
            default -> value;
        };
    }
}
