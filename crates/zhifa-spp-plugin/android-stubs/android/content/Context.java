// STUB for type-checking only (see android-stubs/README.md): mirrors android.content.Context.
package android.content;

public abstract class Context {
    public static final String BLUETOOTH_SERVICE = "bluetooth";

    public abstract Object getSystemService(String name);
}
