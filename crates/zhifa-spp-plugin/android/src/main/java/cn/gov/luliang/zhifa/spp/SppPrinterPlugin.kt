// Kotlin half of the zhifa-spp Tauri plugin: Bluetooth SPP (RFCOMM) links to receipt printers.
//
// Rust (crates/zhifa-spp-plugin/src/transport.rs) calls these commands through
// PluginHandle::run_mobile_plugin and blocks until they resolve; the webview has no
// permission to call them. Commands are dispatched on the main thread, so every Bluetooth
// call runs on one IO thread (commands keep their order); a watchdog thread enforces the
// connect timeout. Rejections use stable codes that the Rust side maps to print errors:
// PRINTER_BAD_ADDRESS, BLUETOOTH_OFF, PERMISSION_DENIED, PRINTER_NOT_PAIRED,
// PRINTER_UNREACHABLE, PRINTER_SEND_FAILED, SPP_PLUGIN.

package cn.gov.luliang.zhifa.spp

import android.Manifest
import android.annotation.SuppressLint
import android.app.Activity
import android.bluetooth.BluetoothAdapter
import android.bluetooth.BluetoothDevice
import android.bluetooth.BluetoothManager
import android.bluetooth.BluetoothSocket
import android.content.Context
import android.os.Build
import android.util.Base64
import androidx.appcompat.app.AppCompatActivity
import app.tauri.PermissionState
import app.tauri.annotation.Command
import app.tauri.annotation.InvokeArg
import app.tauri.annotation.Permission
import app.tauri.annotation.PermissionCallback
import app.tauri.annotation.TauriPlugin
import app.tauri.plugin.Invoke
import app.tauri.plugin.JSArray
import app.tauri.plugin.JSObject
import app.tauri.plugin.Plugin
import java.io.IOException
import java.io.OutputStream
import java.util.UUID
import java.util.concurrent.Executors
import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean

/** The Serial Port Profile's service record UUID. */
private val SPP_UUID: UUID = UUID.fromString("00001101-0000-1000-8000-00805F9B34FB")

private const val ALIAS_BLUETOOTH = "bluetooth"

/** Bytes per socket write; each write is flushed, which paces slow printer buffers. */
private const val WRITE_CHUNK = 512

/** A link nobody used for this long is closed (Rust normally closes it after each job). */
private const val IDLE_CLOSE_MS = 30_000L

/** Pause before closing, so the stack's buffer reaches the printer (unmeasured, conservative). */
private const val CLOSE_DRAIN_MS = 200L

private const val DEFAULT_CONNECT_TIMEOUT_MS = 8_000L

private const val PERMISSION_MESSAGE = "未获得“附近的设备”（蓝牙连接）权限，请在系统设置中允许后重试"

@InvokeArg
class ConnectArgs {
    lateinit var address: String
    var timeoutMs: Long = DEFAULT_CONNECT_TIMEOUT_MS
}

@InvokeArg
class SendArgs {
    lateinit var address: String
    /** The bytes, standard base64. */
    lateinit var data: String
    var timeoutMs: Long = DEFAULT_CONNECT_TIMEOUT_MS
}

@InvokeArg
class CloseArgs {
    lateinit var address: String
}

/** A failure with a stable code and a Chinese message for the inspector. */
class SppException(val code: String, message: String, cause: Throwable? = null) : Exception(message, cause)

private class Link(val socket: BluetoothSocket, val out: OutputStream) {
    @Volatile
    var lastUsed: Long = System.currentTimeMillis()
}

@TauriPlugin(
    permissions = [
        Permission(strings = [Manifest.permission.BLUETOOTH_CONNECT], alias = ALIAS_BLUETOOTH)
    ]
)
class SppPrinterPlugin(private val activity: Activity) : Plugin(activity) {
    /** Runs every Bluetooth call, in order, off the main thread. */
    private val io: ScheduledExecutorService = Executors.newSingleThreadScheduledExecutor()

    /** Closes a socket whose connect() outlives its timeout (connect() has no timeout). */
    private val watchdog: ScheduledExecutorService = Executors.newSingleThreadScheduledExecutor()

    /** Open links by printer address; touched on the IO thread only. */
    private val links = HashMap<String, Link>()

    @Command
    fun connect(invoke: Invoke) {
        withPermission(invoke)
    }

    @Command
    fun send(invoke: Invoke) {
        withPermission(invoke)
    }

    @Command
    fun close(invoke: Invoke) {
        dispatch(invoke)
    }

    @Command
    fun listPaired(invoke: Invoke) {
        withPermission(invoke)
    }

    override fun onDestroy(activity: AppCompatActivity) {
        io.execute {
            for (address in ArrayList(links.keys)) {
                closeLink(address)
            }
        }
        io.shutdown()
        watchdog.shutdown()
    }

    // ---- permission -------------------------------------------------------------------

    /** BLUETOOTH_CONNECT is a runtime permission from Android 12 (API 31) on. */
    private fun hasConnectPermission(): Boolean {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.S) {
            return true
        }
        return getPermissionState(ALIAS_BLUETOOTH) == PermissionState.GRANTED
    }

    private fun withPermission(invoke: Invoke) {
        if (hasConnectPermission()) {
            dispatch(invoke)
        } else {
            requestPermissionForAlias(ALIAS_BLUETOOTH, invoke, "afterPermission")
        }
    }

    @PermissionCallback
    private fun afterPermission(invoke: Invoke) {
        if (hasConnectPermission()) {
            dispatch(invoke)
        } else {
            invoke.reject(PERMISSION_MESSAGE, "PERMISSION_DENIED")
        }
    }

    // ---- commands on the IO thread ----------------------------------------------------

    private fun dispatch(invoke: Invoke) {
        io.execute {
            try {
                when (invoke.command) {
                    "connect" -> doConnect(invoke)
                    "send" -> doSend(invoke)
                    "close" -> doClose(invoke)
                    "listPaired" -> doListPaired(invoke)
                    else -> throw SppException("SPP_PLUGIN", "未知的蓝牙打印命令：${invoke.command}")
                }
            } catch (e: SppException) {
                invoke.reject(e.message, e.code)
            } catch (e: SecurityException) {
                invoke.reject(PERMISSION_MESSAGE, "PERMISSION_DENIED")
            } catch (e: Exception) {
                invoke.reject("蓝牙打印插件出错：${e.message}", "SPP_PLUGIN", e)
            }
        }
    }

    private fun doConnect(invoke: Invoke) {
        val args = invoke.parseArgs(ConnectArgs::class.java)
        open(args.address, args.timeoutMs)
        invoke.resolve(JSObject())
    }

    private fun doSend(invoke: Invoke) {
        val args = invoke.parseArgs(SendArgs::class.java)
        val bytes = try {
            Base64.decode(args.data, Base64.DEFAULT)
        } catch (e: IllegalArgumentException) {
            throw SppException("SPP_PLUGIN", "打印数据不是有效的 base64", e)
        }
        val link = open(args.address, args.timeoutMs)
        var offset = 0
        try {
            while (offset < bytes.size) {
                val n = minOf(WRITE_CHUNK, bytes.size - offset)
                link.out.write(bytes, offset, n)
                link.out.flush()
                offset += n
            }
        } catch (e: IOException) {
            closeLink(args.address)
            throw SppException(
                "PRINTER_SEND_FAILED",
                "打印中断（已发送 $offset/${bytes.size} 字节）：打印机可能已关机、缺纸或超出范围",
                e
            )
        }
        link.lastUsed = System.currentTimeMillis()
        scheduleIdleClose(args.address)
        val reply = JSObject()
        reply.put("written", bytes.size)
        invoke.resolve(reply)
    }

    private fun doClose(invoke: Invoke) {
        val args = invoke.parseArgs(CloseArgs::class.java)
        closeLink(args.address)
        invoke.resolve(JSObject())
    }

    @SuppressLint("MissingPermission")
    private fun doListPaired(invoke: Invoke) {
        val adapter = enabledAdapter()
        val devices = JSArray()
        for (device in adapter.bondedDevices) {
            val item = JSObject()
            item.put("name", device.name ?: "")
            item.put("address", device.address)
            devices.put(item)
        }
        val reply = JSObject()
        reply.put("devices", devices)
        invoke.resolve(reply)
    }

    // ---- links ------------------------------------------------------------------------

    private fun enabledAdapter(): BluetoothAdapter {
        val manager = activity.getSystemService(Context.BLUETOOTH_SERVICE) as BluetoothManager?
        val adapter = manager?.adapter ?: throw SppException("BLUETOOTH_OFF", "本机没有蓝牙，无法连接蓝牙打印机")
        if (!adapter.isEnabled) {
            throw SppException("BLUETOOTH_OFF", "蓝牙未开启，请在系统设置中打开蓝牙后重试")
        }
        return adapter
    }

    /** The open link to `address`, or a new one: paired device, SPP socket, connect with timeout. */
    @SuppressLint("MissingPermission")
    private fun open(address: String, timeoutMs: Long): Link {
        val existing = links[address]
        if (existing != null) {
            if (existing.socket.isConnected) {
                existing.lastUsed = System.currentTimeMillis()
                return existing
            }
            closeLink(address)
        }
        val adapter = enabledAdapter()
        if (!BluetoothAdapter.checkBluetoothAddress(address)) {
            throw SppException("PRINTER_BAD_ADDRESS", "蓝牙打印机地址无效：“$address”（应为 AA:BB:CC:DD:EE:FF 格式）")
        }
        val device: BluetoothDevice = adapter.getRemoteDevice(address)
        if (device.bondState != BluetoothDevice.BOND_BONDED) {
            throw SppException("PRINTER_NOT_PAIRED", "打印机 $address 尚未与本机配对，请先在系统蓝牙设置中配对")
        }
        // Discovery slows RFCOMM connects down and makes them fail. From Android 12 on,
        // cancelDiscovery() needs BLUETOOTH_SCAN, which this app does not ask for: it never
        // starts a discovery itself, so then there is none of ours to cancel.
        try {
            adapter.cancelDiscovery()
        } catch (ignored: SecurityException) {
        }
        val socket = device.createRfcommSocketToServiceRecord(SPP_UUID)
        val timedOut = AtomicBoolean(false)
        val timer = watchdog.schedule({
            timedOut.set(true)
            closeQuietly(socket)
        }, timeoutMs, TimeUnit.MILLISECONDS)
        try {
            socket.connect()
        } catch (e: IOException) {
            closeQuietly(socket)
            val why = if (timedOut.get()) "连接超时（${timeoutMs / 1000} 秒）" else "连接被拒绝"
            throw SppException(
                "PRINTER_UNREACHABLE",
                "无法连接打印机 $address（$why），请确认打印机已开机、在附近且未被其他设备占用",
                e
            )
        } finally {
            timer.cancel(false)
        }
        val link = Link(socket, socket.outputStream)
        links[address] = link
        scheduleIdleClose(address)
        return link
    }

    private fun scheduleIdleClose(address: String) {
        io.schedule({
            val link = links[address]
            if (link != null && System.currentTimeMillis() - link.lastUsed >= IDLE_CLOSE_MS) {
                closeLink(address)
            }
        }, IDLE_CLOSE_MS, TimeUnit.MILLISECONDS)
    }

    private fun closeLink(address: String) {
        val link = links.remove(address) ?: return
        try {
            link.out.flush()
            Thread.sleep(CLOSE_DRAIN_MS)
        } catch (ignored: IOException) {
        } catch (ignored: InterruptedException) {
        }
        closeQuietly(link.socket)
    }

    private fun closeQuietly(socket: BluetoothSocket) {
        try {
            socket.close()
        } catch (ignored: IOException) {
        }
    }
}
