// STUB for type-checking only (see android-stubs/README.md): mirrors android.bluetooth.BluetoothAdapter.
package android.bluetooth;

import java.util.Set;

public final class BluetoothAdapter {
    public static boolean checkBluetoothAddress(String address) {
        throw new RuntimeException("Stub!");
    }

    public boolean isEnabled() {
        throw new RuntimeException("Stub!");
    }

    /** @throws IllegalArgumentException if address is invalid */
    public BluetoothDevice getRemoteDevice(String address) {
        throw new RuntimeException("Stub!");
    }

    /** Needs BLUETOOTH_SCAN from API 31 on (SecurityException otherwise). */
    public boolean cancelDiscovery() {
        throw new RuntimeException("Stub!");
    }

    public Set<BluetoothDevice> getBondedDevices() {
        throw new RuntimeException("Stub!");
    }
}
