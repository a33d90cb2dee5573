package io.advkit.data;

import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A names file: one class name per line, line i names label i. A line may also be "INDEX NAME"
 * (tab or spaces), as in cifar100_fine_label_names.txt; the index must then equal the line number.
 */
public final class ClassNames {
    private static final java.util.regex.Pattern INDEXED = java.util.regex.Pattern.compile("(\\d+)\\s+(\\S.*)");

    private ClassNames() {}

    public static List<String> read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
            List<String> names = new java.util.ArrayList<>();
            for (String line : lines) {
                java.util.regex.Matcher m = INDEXED.matcher(line);
                if (m.matches()) {
                    if (Integer.parseInt(m.group(1)) != names.size()) {
                        throw new UserError(file + ": line '" + line + "' has index " + m.group(1) + ", expected " + names.size());
                    }
                    names.add(m.group(2));
                } else {
                    names.add(line);
                }
            }
            if (names.isEmpty()) {
                throw new UserError(file + ": names file is empty");
            }
            return names;
        } catch (IOException e) {
            throw new UserError(file + ": cannot read names file (" + io.advkit.util.Errors.describe(e) + ")");
        }
    }
}
