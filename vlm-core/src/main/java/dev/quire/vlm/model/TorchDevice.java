package dev.quire.vlm.model;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * Where the model runs: {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto} (CUDA when libtorch finds a
 * device, else CPU). The model code is the same for all; only this choice differs.
 *
 * @param spec   the resolved device ("cpu" or "cuda:N")
 * @param reason why it was chosen (for the log)
 */
public record TorchDevice(String spec, String reason) {

    public static TorchDevice resolve(String requested) {
        LibTorch.load();
        String r = requested == null ? "auto" : requested.strip().toLowerCase(java.util.Locale.ROOT);
        boolean cuda = torch.cuda_is_available();
        long count = cuda ? torch.cuda_device_count() : 0;
        switch (r) {
            case "auto" -> {
                return cuda ? new TorchDevice("cuda:0", "auto: libtorch sees " + count + " CUDA device(s), using cuda:0")
                        : new TorchDevice("cpu", "auto: libtorch sees no CUDA device (CPU build or no driver), using cpu");
            }
            case "cpu" -> {
                return new TorchDevice("cpu", "requested cpu");
            }
            default -> {
                if (!r.startsWith("cuda")) {
                    throw new IllegalArgumentException("quire.vlm.device must be auto, cpu, cuda or cuda:N; got " + requested);
                }
                int index = r.equals("cuda") ? 0 : Integer.parseInt(r.substring("cuda:".length()));
                if (!cuda || index >= count) {
                    throw new IllegalArgumentException("device " + requested + " is not available: libtorch sees " + count
                            + " CUDA device(s) (build with -Pgpu and install CUDA 12 libraries for GPU support)");
                }
                return new TorchDevice("cuda:" + index, "requested " + requested);
            }
        }
    }

    public boolean isCpu() {
        return spec.equals("cpu");
    }

    Device device() {
        return new Device(spec);
    }
}
