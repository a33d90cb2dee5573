package io.advkit.cli;

import io.advkit.attack.Attacks;
import io.advkit.defense.Defenses;
import io.advkit.train.TrainingMethods;

import java.util.Iterator;

/** Registry names as picocli completion candidates, so option help lists what the core knows (never a copy). */
final class Names {
    private Names() {}

    static final class AttackNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Attacks.names().iterator();
        }
    }

    static final class DefenseNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Defenses.names().iterator();
        }
    }

    static final class MethodNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            java.util.List<String> all = new java.util.ArrayList<>(TrainingMethods.names());
            all.add(TrainingMethods.WGAN_GP);
            return all.iterator();
        }
    }
}
