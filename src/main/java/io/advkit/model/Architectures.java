package io.advkit.model;

import io.advkit.util.UserError;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds an untrained network from an architecture name ("resnet20", "wrn16_10", "akamaster_resnet32", ...). */
public final class Architectures {
    private static final Pattern RESNETS = Pattern.compile("(resnet|preresnet|seresnet|sepreresnet)(\\d+)(bn)?");
    private static final Pattern RESNEXT = Pattern.compile("resnext(\\d+)_(\\d+)x(\\d+)d");
    private static final Pattern WRN = Pattern.compile("wrn(\\d+)_(\\d+)");
    private static final Pattern DENSENET = Pattern.compile("densenet(\\d+)_k(\\d+)");
    private static final Pattern CHENYAOFO = Pattern.compile("chenyaofo_resnet(20|32|44|56)");
    private static final Pattern AKAMASTER = Pattern.compile("akamaster_resnet(20|32|44|56|110|1202)");
    private static final Pattern CHENYAOFO_VGG = Pattern.compile("chenyaofo_vgg(11|13|16|19)_bn");
    private static final Pattern CHENYAOFO_MOBILENET = Pattern.compile("chenyaofo_mobilenetv2_x(0_5|0_75|1_0|1_4)");
    private static final Pattern CHENYAOFO_SHUFFLENET = Pattern.compile("chenyaofo_shufflenetv2_x(0_5|1_0|1_5|2_0)");

    /** Names for help texts. */
    public static final List<String> EXAMPLES = List.of("resnet20", "resnet56", "resnet164bn", "preresnet20", "seresnet20",
            "sepreresnet20", "preactresnet18", "resnext29_32x4d", "wrn16_10", "densenet40_k12", "chenyaofo_resnet20", "akamaster_resnet20",
            "chenyaofo_vgg11_bn", "chenyaofo_mobilenetv2_x0_5", "chenyaofo_shufflenetv2_x0_5", "nin", "smallcnn");

    private Architectures() {}

    /**
     * The family an architecture belongs to, for leave-one-family-out transfer studies: the design without its
     * depth or width ("resnet20", "chenyaofo_resnet56", "akamaster_resnet32" → resnet; "seresnet20" → seresnet;
     * "wrn16_10" → wrn; "densenet40_k12" → densenet; "chenyaofo_mobilenetv2_x0_5" → mobilenetv2, likewise shufflenetv2).
     */
    public static String family(String arch) {
        String a = arch.replaceFirst("^(chenyaofo|akamaster)_", "");
        if (a.matches("(mobilenetv2|shufflenetv2)_.*")) { // their 2 is the design's version, not a depth
            return a.substring(0, a.indexOf('_'));
        }
        Matcher m = Pattern.compile("^([a-z]+?)(\\d.*)?$").matcher(a);
        return m.matches() ? m.group(1) : a;
    }

    public static Module create(String arch, int numClasses) {
        return create(arch, numClasses, 3);
    }

    /** A network taking {@code channels}-channel images: 1 (grayscale) only for the architectures built for it. */
    public static Module create(String arch, int numClasses, int channels) {
        if (arch.equals("smallcnn")) {
            return new SmallCnn(channels, numClasses);
        }
        if (channels != 3) {
            throw UserError.invalid("architecture", "architecture '" + arch + "' takes RGB images, these are grayscale; use smallcnn");
        }
        Matcher m;
        if ((m = RESNETS.matcher(arch)).matches()) {
            int depth = Integer.parseInt(m.group(2));
            // pytorchcv: the "bn" depths and 1001 use bottleneck units, the others basic units
            boolean bottleneck = m.group(3) != null || depth == 1001;
            int perUnit = bottleneck ? 9 : 6;
            if ((depth - 2) % perUnit != 0 || depth < 2 + perUnit) {
                throw UserError.invalid("architecture", "architecture '" + arch + "': depth must be " + perUnit + "n+2");
            }
            return switch (m.group(1)) {
                case "resnet" -> new CifarResNet(depth, bottleneck, false, numClasses);
                case "seresnet" -> new CifarResNet(depth, bottleneck, true, numClasses);
                case "preresnet" -> CifarPreResNet.preResNet(depth, bottleneck, false, numClasses);
                default -> CifarPreResNet.preResNet(depth, bottleneck, true, numClasses);
            };
        }
        if ((m = RESNEXT.matcher(arch)).matches()) {
            int depth = Integer.parseInt(m.group(1));
            if ((depth - 2) % 9 != 0) {
                throw UserError.invalid("architecture", "architecture '" + arch + "': depth must be 9n+2");
            }
            return new CifarResNeXt(depth, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), numClasses);
        }
        if ((m = WRN.matcher(arch)).matches()) {
            int depth = Integer.parseInt(m.group(1));
            if ((depth - 4) % 6 != 0) {
                throw UserError.invalid("architecture", "architecture '" + arch + "': depth must be 6n+4");
            }
            return CifarPreResNet.wideResNet(depth, Integer.parseInt(m.group(2)), numClasses);
        }
        if ((m = DENSENET.matcher(arch)).matches()) {
            int depth = Integer.parseInt(m.group(1));
            if ((depth - 4) % 3 != 0) {
                throw UserError.invalid("architecture", "architecture '" + arch + "': depth must be 3n+4");
            }
            return new CifarDenseNet(depth, Integer.parseInt(m.group(2)), numClasses);
        }
        if (arch.equals("preactresnet18")) {
            return CifarPreResNet.preActResNet18(numClasses);
        }
        if (arch.equals("nin")) {
            return new CifarNin(numClasses);
        }
        if ((m = CHENYAOFO.matcher(arch)).matches()) {
            return new TorchvisionCifarResNet(Integer.parseInt(m.group(1)), numClasses, TorchvisionCifarResNet.Shortcut.PROJECTION);
        }
        if ((m = CHENYAOFO_VGG.matcher(arch)).matches()) {
            return new ChenyaofoVgg(Integer.parseInt(m.group(1)), numClasses);
        }
        if ((m = CHENYAOFO_MOBILENET.matcher(arch)).matches()) {
            return new ChenyaofoMobileNetV2(Double.parseDouble(m.group(1).replace('_', '.')), numClasses);
        }
        if ((m = CHENYAOFO_SHUFFLENET.matcher(arch)).matches()) {
            return new ChenyaofoShuffleNetV2(m.group(1), numClasses);
        }
        if ((m = AKAMASTER.matcher(arch)).matches()) {
            return new TorchvisionCifarResNet(Integer.parseInt(m.group(1)), numClasses, TorchvisionCifarResNet.Shortcut.ZERO_PAD);
        }
        throw UserError.invalid("architecture", "unknown architecture '" + arch + "'; e.g. " + String.join(", ", EXAMPLES));
    }
}
