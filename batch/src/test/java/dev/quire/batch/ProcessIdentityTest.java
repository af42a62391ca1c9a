package dev.quire.batch;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ownership names that do not depend on name resolution, and never mistake another machine's process for ours. */
class ProcessIdentityTest {
    @TempDir
    Path tmp;

    @Test
    void theIdentityComesFromTheKernelNotFromNameResolution() throws Exception {
        ProcessIdentity me = ProcessIdentity.current();
        assertEquals(ProcessHandle.current().pid(), me.pid());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), me.host());
        assertTrue(me.name().matches(me.pid() + "@[^/~]+~[0-9a-f]{10}"), me.name());
        assertEquals(me, ProcessIdentity.detect(Path.of("/proc")), "stable within the process");
    }

    @Test
    void anotherMachineWithTheSameHostNameIsNeverLocal() throws Exception {
        ProcessIdentity me = ProcessIdentity.current();
        // A process on another machine whose name does not resolve: the old code wrote "pid@localhost" for both.
        long deadPid = new ProcessBuilder("true").start().onExit().get().pid();
        String otherMachine = deadPid + "@" + me.host() + "~0123456789";
        assertFalse(me.sameNode(otherMachine));
        assertFalse(me.deadOnThisNode(otherMachine), "a remote process is never declared dead by a local pid check");
        assertFalse(me.deadOnThisNode(deadPid + "@localhost"), "an owner without a node is not local");
        String localDead = deadPid + "@" + me.host() + "~" + me.node();
        assertTrue(me.deadOnThisNode(localDead + "/worker-1"), "a dead process of this node is");
        assertFalse(me.deadOnThisNode(me.name()), "this process is alive");
    }

    @Test
    void withoutProcTheNodeIsRandomSoNothingElseIsLocal() {
        ProcessIdentity a = ProcessIdentity.detect(tmp);
        ProcessIdentity b = ProcessIdentity.detect(tmp);
        assertNotEquals(a.node(), b.node());
        assertFalse(a.sameNode(b.name()));
    }
}
