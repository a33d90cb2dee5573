package io.advkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core speaks of concepts, the CLI of options: no string outside cli/ names a command-line option. */
class LayeringTest {
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern OPTION = Pattern.compile("(^|[\\s(])--[a-z][a-z-]+");

    @Test
    void noCoreClassNamesACommandLineOption() throws IOException {
        Path main = Path.of("src/main/java/io/advkit");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(main.resolve("cli"))).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher s = STRING.matcher(lines.get(i));
                    while (s.find()) {
                        if (OPTION.matcher(s.group()).find()) {
                            found.add(main.relativize(f) + ":" + (i + 1) + " " + s.group());
                        }
                    }
                }
            }
        }
        assertThat(found).isEmpty();
    }
}
