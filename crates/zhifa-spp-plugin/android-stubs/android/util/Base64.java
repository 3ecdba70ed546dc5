// STUB for type-checking only (see android-stubs/README.md): mirrors android.util.Base64.
package android.util;

public class Base64 {
    public static final int DEFAULT = 0;

    /** @throws IllegalArgumentException if the input is not valid base64 */
    public static byte[] decode(String str, int flags) {
        throw new RuntimeException("Stub!");
    }
}
