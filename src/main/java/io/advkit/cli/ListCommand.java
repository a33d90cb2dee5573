package io.advkit.cli;

import io.advkit.attack.Attacks;
import io.advkit.defense.Defenses;
import io.advkit.train.TrainingMethods;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** What advkit can do, from its registries: attacks, defenses, training methods, each with one line of help. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the attacks, defenses or training methods advkit knows, with one line of help each.")
public final class ListCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "WHAT", defaultValue = "all", description = "attacks, defenses, methods or all (default)")
    String what;

    @Override
    public Integer call() {
        common.apply();
        switch (what) {
            case "attacks" -> print("attacks (compose a base with modifiers: mi-di-ti)", Attacks.help());
            case "defenses" -> print("defenses (--defense)", Defenses.help());
            case "methods" -> print("training methods (train --method)", TrainingMethods.help());
            case "all" -> {
                print("attacks (compose a base with modifiers: mi-di-ti)", Attacks.help());
                print("defenses (--defense)", Defenses.help());
                print("training methods (train --method)", TrainingMethods.help());
            }
            default -> throw new UserError("nothing called '" + what + "' to list; expected attacks, defenses, methods or all");
        }
        return 0;
    }

    private static void print(String title, List<String> lines) {
        System.out.println(title + ":");
        lines.forEach(l -> System.out.println("  " + l));
    }
}
