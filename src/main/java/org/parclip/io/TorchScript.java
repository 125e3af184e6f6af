package org.parclip.io;

import org.parclip.cli.UserException;
import org.parclip.io.Unpickler.ScriptObject;
import org.parclip.io.Unpickler.TensorRef;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state dict of a TorchScript archive (OpenAI's CLIP releases), read without running anything: data.pkl gives
 * the module tree as inert objects with their attributes; which attributes are parameters and buffers (and so
 * belong to {@code state_dict()}) is declared in each class's serialized source as {@code __parameters__} and
 * {@code __buffers__} lists, which are read as text. Other tensor attributes (e.g. a text transformer's attn_mask)
 * are not part of the state dict and are left out, as {@code torch.jit.load(f).state_dict()} leaves them out.
 */
final class TorchScript {
    private static final Pattern CLASS = Pattern.compile("^class (\\w+)\\((\\w+)\\):");
    private static final Pattern LIST = Pattern.compile("^  (__parameters__|__buffers__) = \\[(.*)]\\s*$");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    private static final int MAX_DEPTH = 100;
    private static final int MAX_MODULES = 100_000;

    private record ClassDecl(boolean isModule, List<String> parameters, List<String> buffers) {
    }

    private final Map<String, ClassDecl> classes = new HashMap<>();
    private final TorchFiles.Loaded loaded;
    private final StateDict out = new StateDict("torchscript");
    private int visited;

    private TorchScript(TorchFiles.Loaded loaded) {
        this.loaded = loaded;
    }

    static boolean isTorchScript(ZipArchive zip, String prefix) {
        return zip.contains(prefix + "/constants.pkl")
                || zip.entries().keySet().stream().anyMatch(n -> n.startsWith(prefix + "/code/"));
    }

    static StateDict read(ZipArchive zip, String prefix, String what, long fileSize) {
        Object root = TorchFiles.unpickleZip(zip, prefix, "data.pkl", what, Unpickler.Mode.TORCHSCRIPT);
        TorchScript ts = new TorchScript(new TorchFiles.Loaded(root, fileSize));
        String codeDir = prefix + "/code/";
        for (String name : zip.entries().keySet()) {
            if (name.startsWith(codeDir) && name.endsWith(".py")) {
                String module = name.substring(codeDir.length(), name.length() - 3).replace('/', '.');
                String source = new String(zip.read(name).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                ts.parseDeclarations(module, source);
            }
        }
        if (!(root instanceof ScriptObject module)) throw new UserException(what + ": TorchScript root is not a module");
        ts.walk(module, "", 0);
        return ts.out;
    }

    /** Records, per class, whether it is a Module and its declared parameter and buffer names. */
    private void parseDeclarations(String module, String source) {
        String current = null;
        boolean isModule = false;
        List<String> params = List.of(), buffers = List.of();
        for (String line : source.split("\n")) {
            Matcher c = CLASS.matcher(line);
            if (c.find()) {
                if (current != null) classes.put(current, new ClassDecl(isModule, params, buffers));
                current = module + "." + c.group(1);
                isModule = c.group(2).equals("Module");
                params = List.of();
                buffers = List.of();
                continue;
            }
            Matcher l = LIST.matcher(line);
            if (current != null && l.find()) {
                List<String> names = QUOTED.matcher(l.group(2)).results().map(m -> m.group(1)).toList();
                if (l.group(1).equals("__parameters__")) params = names;
                else buffers = names;
            }
        }
        if (current != null) classes.put(current, new ClassDecl(isModule, params, buffers));
    }

    /** Parameters, then buffers, then submodules in attribute order: the order {@code state_dict()} uses. */
    private void walk(ScriptObject m, String prefix, int depth) {
        if (depth > MAX_DEPTH || ++visited > MAX_MODULES)
            throw new UserException("TorchScript module tree is too deep or too large");
        ClassDecl decl = classes.get(m.className);
        if (decl == null) throw new UserException("TorchScript archive lacks the declaration of class " + m.className);
        for (List<String> names : List.of(decl.parameters, decl.buffers)) {
            for (String name : names) {
                Object v = m.attributes.get(name);
                if (v == null) continue; // an Optional parameter set to None (e.g. a bias-free conv)
                if (!(v instanceof TensorRef t))
                    throw new UserException("TorchScript attribute " + prefix + name + " is not a tensor");
                out.put(prefix + name, loaded.tensor(t, prefix + name));
            }
        }
        for (Map.Entry<String, Object> e : m.attributes.entrySet()) {
            if (e.getValue() instanceof ScriptObject child) {
                ClassDecl cd = classes.get(child.className);
                if (cd == null || cd.isModule) walk(child, prefix + e.getKey() + ".", depth + 1);
            }
        }
    }
}
