package dev.quire.ingestion.office;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jodconverter.core.office.OfficeException;
import org.jodconverter.core.office.OfficeManager;
import org.jodconverter.local.LocalConverter;
import org.jodconverter.local.office.LocalOfficeManager;
import org.jodconverter.local.office.LocalOfficeUtils;

/**
 * LibreOffice headless driven through JODConverter: a pool of {@code processes} soffice processes (each on a free
 * local port picked at start, so several Quire processes on one machine do not fight over JODConverter's default
 * 2002; named pipes would need LibreOffice's native jpipe library in the JVM), started on the first conversion. JODConverter fails a task that runs past the task timeout and restarts its process; a crashed process
 * is restarted too. Thread-safe.
 */
public final class LibreOffice implements OfficeConverter {
    /** The Debian packages that provide headless LibreOffice for the formats Quire converts. */
    public static final String INSTALL_HINT = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
            + "libreoffice-impress-nogui";

    private final File home;
    private final int processes;
    private final Duration taskTimeout;
    private OfficeManager manager;
    private LocalConverter converter;

    private LibreOffice(File home, int processes, Duration taskTimeout) {
        this.home = home;
        this.processes = processes;
        this.taskTimeout = taskTimeout;
    }

    /** LibreOffice's installation folder, when it is installed (with a {@code soffice} program). */
    public static Optional<File> home() {
        try {
            File h = LocalOfficeUtils.getDefaultOfficeHome();
            return h != null && LocalOfficeUtils.getOfficeExecutable(h).canExecute() ? Optional.of(h) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A converter over the installed LibreOffice, or empty when it is not installed. Nothing starts yet. */
    public static Optional<LibreOffice> installed(int processes, Duration taskTimeout) {
        if (processes < 1) {
            throw new IllegalArgumentException("need at least one LibreOffice process, got " + processes);
        }
        return home().map(h -> new LibreOffice(h, processes, taskTimeout));
    }

    private synchronized LocalConverter started() throws IOException {
        if (converter == null) {
            OfficeManager m = LocalOfficeManager.builder()
                    .officeHome(home)
                    .portNumbers(freePorts(processes))
                    .taskExecutionTimeout(taskTimeout.toMillis())
                    .taskQueueTimeout(Math.max(taskTimeout.toMillis() * 4, 60_000L))
                    .processTimeout(120_000L)
                    .maxTasksPerProcess(200)
                    .build();
            try {
                m.start();
            } catch (OfficeException e) {
                throw new IOException("LibreOffice (" + home + ") did not start: " + e.getMessage(), e);
            }
            manager = m;
            converter = LocalConverter.builder().officeManager(m).build();
        }
        return converter;
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<java.net.ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (java.net.ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }

    @Override
    public void start() throws IOException {
        started();
    }

    @Override
    public void convert(Path source, Path pdf) throws IOException {
        LocalConverter c = started();
        try {
            c.convert(source.toFile()).to(pdf.toFile())
                    .as(org.jodconverter.core.document.DefaultDocumentFormatRegistry.PDF).execute();
        } catch (OfficeException e) {
            throw new IOException("LibreOffice could not convert it: " + rootMessage(e), e);
        }
        if (!Files.isRegularFile(pdf) || Files.size(pdf) == 0) {
            throw new IOException("LibreOffice produced no PDF");
        }
    }

    private static String rootMessage(Throwable e) {
        String m = e.getMessage();
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                m = m + " (" + c.getMessage() + ")";
                break;
            }
        }
        return m;
    }

    @Override
    public synchronized void restart() {
        close();
    }

    @Override
    public synchronized void close() {
        if (manager != null) {
            try {
                manager.stop();
            } catch (OfficeException | RuntimeException e) {
                // stopping a broken process pool: nothing left to save
            }
            manager = null;
            converter = null;
        }
    }

    @Override
    public String toString() {
        return "LibreOffice " + home + " (" + processes + " process" + (processes == 1 ? "" : "es") + ")";
    }
}
