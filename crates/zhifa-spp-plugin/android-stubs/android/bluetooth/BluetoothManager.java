// STUB for type-checking only (see android-stubs/README.md): mirrors android.bluetooth.BluetoothManager.
package android.bluetooth;

public final class BluetoothManager {
    public BluetoothAdapter getAdapter() {
        throw new RuntimeException("Stub!");
    }
}
