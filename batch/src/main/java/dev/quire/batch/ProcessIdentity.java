package dev.quire.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Who this process is, for ingest-run and work-item ownership: {@code pid@host~node}. The host name is the kernel's
 * (no name resolution, so an unresolvable name is still this machine's name), and {@code node} identifies the process
 * space the pid belongs to (the kernel's boot id and the pid namespace), so two machines or two containers that share
 * a host name never take each other's processes for local ones. Without /proc the node is random: then no other
 * process is ever "local", and only lease expiry frees a claim.
 *
 * @param pid  this process's id
 * @param host the kernel's host name
 * @param node a short hash of the boot id and pid namespace (or a random id)
 */
public record ProcessIdentity(long pid, String host, String node) {

    private static final ProcessIdentity CURRENT = detect(Path.of("/proc"));

    public static ProcessIdentity current() {
        return CURRENT;
    }

    static ProcessIdentity detect(Path proc) {
        String host = read(proc.resolve("sys/kernel/hostname"));
        if (host == null) {
            host = System.getenv("HOSTNAME");
        }
        if (host == null || host.isBlank()) {
            host = "unnamed";
        }
        String boot = read(proc.resolve("sys/kernel/random/boot_id"));
        String pidNs = null;
        try {
            pidNs = Files.readSymbolicLink(proc.resolve("self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            // no /proc: stays null
        }
        String node = boot != null && pidNs != null ? hash(boot + "/" + pidNs) : "r" + UUID.randomUUID().toString().substring(0, 7);
        return new ProcessIdentity(ProcessHandle.current().pid(), host.replace('/', '_').replace('~', '_').strip(), node);
    }

    /** The owner name written into rows: {@code pid@host~node}. */
    public String name() {
        return pid + "@" + host + "~" + node;
    }

    /** True when {@code owner} names a process of this node (same boot, same pid namespace). */
    public boolean sameNode(String owner) {
        Parsed p = Parsed.of(owner);
        return p != null && p.node().equals(node);
    }

    /** True when {@code owner} names a process of this node that no longer runs. */
    public boolean deadOnThisNode(String owner) {
        Parsed p = Parsed.of(owner);
        return p != null && p.node().equals(node) && ProcessHandle.of(p.pid()).map(h -> !h.isAlive()).orElse(true);
    }

    private record Parsed(long pid, String node) {
        static Parsed of(String owner) {
            if (owner == null) {
                return null;
            }
            String o = owner.contains("/") ? owner.substring(0, owner.indexOf('/')) : owner;
            int at = o.indexOf('@');
            int tilde = o.lastIndexOf('~');
            if (at <= 0 || tilde < at) {
                return null; // an owner written without a node (older versions): never taken for local
            }
            try {
                return new Parsed(Long.parseLong(o.substring(0, at)), o.substring(tilde + 1));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private static String read(Path p) {
        try {
            String s = Files.readString(p, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? null : s;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
