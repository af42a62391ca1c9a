package dev.quire.ingestion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands command-line sources — files, folders (recursive) and glob patterns — into an ordered list of
 * inputs. The order is deterministic (arguments in order, each expanded in sorted path order, first
 * occurrence of a path wins), so a re-run of the same arguments sees the same inputs in the same order.
 * A source that matches nothing is itself an input, with the reason, so nothing is silently dropped.
 */
public final class SourceScanner {

    /** One input: an existing regular file, or a source that could not be read (with the reason). */
    public record Source(Path path, String problem) {
        public boolean readable() {
            return problem == null;
        }
    }

    private SourceScanner() {
    }

    public static List<Source> expand(List<String> arguments) {
        Map<Path, Source> out = new LinkedHashMap<>();
        for (String arg : arguments) {
            for (Source s : expandOne(arg)) {
                out.putIfAbsent(s.path(), s);
            }
        }
        return List.copyOf(out.values());
    }

    private static List<Source> expandOne(String arg) {
        if (isGlob(arg)) {
            return glob(arg);
        }
        Path p = Path.of(arg).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            List<Source> found = walk(p, path -> true);
            return found.isEmpty() ? List.of(new Source(p, p + ": folder has no files to ingest")) : found;
        }
        if (Files.isRegularFile(p)) {
            return List.of(new Source(p, null));
        }
        if (Files.exists(p)) {
            return List.of(new Source(p, p + ": not a regular file or folder"));
        }
        return List.of(new Source(p, p + ": no such file or folder"));
    }

    static boolean isGlob(String arg) {
        return arg.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    private static List<Source> glob(String pattern) {
        // The folder part before the first wildcard is walked; the whole pattern is matched against absolute paths.
        String normalized = Path.of(pattern).isAbsolute() ? pattern : Path.of("").toAbsolutePath() + "/" + pattern;
        int firstWild = indexOfWildcard(normalized);
        int slash = normalized.lastIndexOf('/', firstWild);
        Path root = Path.of(slash <= 0 ? "/" : normalized.substring(0, slash)).normalize();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + normalized.replace("/./", "/"));
        if (!Files.isDirectory(root)) {
            return List.of(new Source(Path.of(pattern), pattern + ": no files match (folder " + root + " does not exist)"));
        }
        List<Source> found = walk(root, matcher::matches);
        if (found.isEmpty()) {
            return List.of(new Source(Path.of(pattern), pattern + ": no files match"));
        }
        return found;
    }

    private static int indexOfWildcard(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return i;
            }
        }
        return s.length();
    }

    /**
     * The regular files under {@code root} that {@code accept} takes, in sorted path order. A folder or file that
     * cannot be read is an input of its own with the reason; the files found elsewhere in the tree are kept.
     */
    private static List<Source> walk(Path root, java.util.function.Predicate<Path> accept) {
        List<Source> out = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    Path p = file.toAbsolutePath().normalize();
                    if (attrs.isRegularFile() && accept.test(p)) {
                        out.add(new Source(p, null));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    Path p = file.toAbsolutePath().normalize();
                    out.add(new Source(p, p + ": cannot be read (" + describe(e) + "); the rest of the folder is ingested"));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    if (e != null) {
                        Path p = dir.toAbsolutePath().normalize();
                        out.add(new Source(p, p + ": folder listing failed part way (" + describe(e)
                                + "); the files listed before are ingested"));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            out.add(new Source(root, root + ": cannot list folder: " + e.getMessage()));
        }
        out.sort(java.util.Comparator.comparing(Source::path));
        return out;
    }

    private static String describe(IOException e) {
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
