// STUB for type-checking only (see android-stubs/README.md): mirrors android.os.Build.
package android.os;

public class Build {
    public static class VERSION {
        public static final int SDK_INT = 0;
    }

    public static class VERSION_CODES {
        public static final int R = 30;
        public static final int S = 31;
    }
}
