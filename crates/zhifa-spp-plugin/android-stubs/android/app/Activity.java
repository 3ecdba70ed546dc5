// STUB for type-checking only (see android-stubs/README.md): mirrors android.app.Activity
// (really Activity -> ContextThemeWrapper -> ContextWrapper -> Context).
package android.app;

import android.content.Context;

public class Activity extends Context {
    public static final int MODE_PRIVATE = 0;

    @Override
    public Object getSystemService(String name) {
        throw new RuntimeException("Stub!");
    }
}
