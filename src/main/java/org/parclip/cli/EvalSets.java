package org.parclip.cli;

import org.parclip.attack.Attack;
import org.parclip.attack.Attacks;
import org.parclip.data.ImageNet;
import org.parclip.data.LabelledDataset;
import org.parclip.eval.LabelledImages;
import org.parclip.eval.ZeroShotEval;
import org.parclip.io.Json;
import org.parclip.text.ClipTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builds a zero-shot evaluation from command-line inputs: a labelled set, class names, templates, an attack. */
final class EvalSets {
    private EvalSets() {
    }

    /**
     * @param data    a folder of class folders (ImageNet val layout) or a CSV with columns image,label
     * @param classes JSON list or one name per line; default: the folder names, or ImageNet's 1,000 for a CSV
     */
    static ZeroShotEval build(Path data, Path imageRoot, Path classes, Path templates, String attackName,
                              String target, int imageSize, long seed, int workers, int batchSize) throws IOException {
        if (data == null || !Files.exists(data)) throw new UserException("evaluation data not found: " + data);
        List<String> classNames = classes != null ? readClasses(classes) : null;
        LabelledDataset set;
        if (Files.isDirectory(data)) {
            set = LabelledDataset.folder(data);
            if (classNames == null) classNames = set.classes();
            else if (classNames.size() != set.classes().size())
                throw new UserException(classes + " names " + classNames.size() + " classes but " + data + " has "
                        + set.classes().size() + " class folders");
        } else {
            if (classNames == null) classNames = ImageNet.classNames();
            set = LabelledDataset.csv(data, imageRoot, classNames, "image", "label");
        }
        List<String> tpl = templates != null ? ImageNet.readTemplates(templates) : ImageNet.templates();
        Attack attack = attackName != null ? Attacks.byName(attackName) : null;
        int targetIndex = classNames.indexOf(target);
        if (attack != null && targetIndex < 0) throw new UserException("target class '" + target + "' is not among the classes");
        LabelledImages images = LabelledImages.load(set, imageSize, attack, seed, workers);
        if (images.failures() > 0) System.err.println(images.failures() + " evaluation images could not be read and were skipped");
        if (images.labels().length == 0) throw new UserException("no readable images in " + data);
        ClipTokenizer tok = ClipTokenizer.get();
        return new ZeroShotEval(classNames, tpl, prompts -> tok.tokenizeFlat(prompts, ClipTokenizer.DEFAULT_CONTEXT_LENGTH),
                images.clean(), images.triggered(), images.labels(), targetIndex, batchSize);
    }

    static List<String> readClasses(Path file) throws IOException {
        Inputs.requireFile(file, "--classes");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> names;
        if (text.stripLeading().startsWith("[")) {
            try {
                names = ((List<?>) Json.parse(text)).stream().map(o -> (String) o).toList();
            } catch (RuntimeException e) {
                throw new UserException(file + ": expected a JSON list of class names");
            }
        } else {
            names = text.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        if (names.isEmpty()) throw new UserException(file + ": no class names");
        return names;
    }
}
