// STUB for type-checking only (see android-stubs/README.md): mirrors android.bluetooth.BluetoothDevice.
package android.bluetooth;

import java.io.IOException;
import java.util.UUID;

public final class BluetoothDevice {
    public static final int BOND_NONE = 10;
    public static final int BOND_BONDING = 11;
    public static final int BOND_BONDED = 12;

    public String getAddress() {
        throw new RuntimeException("Stub!");
    }

    public String getName() {
        throw new RuntimeException("Stub!");
    }

    public int getBondState() {
        throw new RuntimeException("Stub!");
    }

    public BluetoothSocket createRfcommSocketToServiceRecord(UUID uuid) throws IOException {
        throw new RuntimeException("Stub!");
    }
}
