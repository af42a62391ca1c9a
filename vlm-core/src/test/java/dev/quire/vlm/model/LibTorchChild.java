package dev.quire.vlm.model;

import org.bytedeco.javacpp.Loader;

/** A process that loads libtorch (for {@link LibTorchLoadTest}); {@code unlocked} loads it the way JavaCPP alone does. */
public final class LibTorchChild {
    private LibTorchChild() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("unlocked")) {
            Loader.load(org.bytedeco.pytorch.global.torch.class);
        } else {
            LibTorch.load();
        }
        System.out.println("libtorch loaded; CUDA available: " + org.bytedeco.pytorch.global.torch.cuda_is_available());
    }
}
