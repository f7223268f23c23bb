using System.Text;
using Silk.NET.OpenCL;

namespace AgentDsl.OpenCL;

/// <summary>The OpenCL API (through the ICD loader) and small helpers over it.</summary>
internal static unsafe class OpenClNative
{
    private static readonly Lazy<(CL? Api, string? Error)> s_api = new(Load);

    /// <summary>The API, or null with the reason when libOpenCL cannot be loaded.</summary>
    public static (CL? Api, string? Error) Api => s_api.Value;

    public static void Check(int status, string function)
    {
        if (status != 0)
        {
            throw new OpenClException(status, function);
        }
    }

    public static string DeviceString(CL cl, nint device, DeviceInfo param)
    {
        nuint size;
        Check(cl.GetDeviceInfo(device, param, 0, null, &size), "clGetDeviceInfo");
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            Check(cl.GetDeviceInfo(device, param, size, p, null), "clGetDeviceInfo");
        }

        return Encoding.UTF8.GetString(buffer).TrimEnd('\0').Trim();
    }

    public static T DeviceValue<T>(CL cl, nint device, DeviceInfo param)
        where T : unmanaged
    {
        T value = default;
        Check(cl.GetDeviceInfo(device, param, (nuint)sizeof(T), &value, null), "clGetDeviceInfo");
        return value;
    }

    public static string PlatformString(CL cl, nint platform, PlatformInfo param)
    {
        nuint size;
        Check(cl.GetPlatformInfo(platform, param, 0, null, &size), "clGetPlatformInfo");
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            Check(cl.GetPlatformInfo(platform, param, size, p, null), "clGetPlatformInfo");
        }

        return Encoding.UTF8.GetString(buffer).TrimEnd('\0').Trim();
    }

    public static string BuildLog(CL cl, nint program, nint device)
    {
        nuint size;
        if (cl.GetProgramBuildInfo(program, device, ProgramBuildInfo.BuildLog, 0, null, &size) != 0)
        {
            return "(no build log)";
        }

        var buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            cl.GetProgramBuildInfo(program, device, ProgramBuildInfo.BuildLog, size, p, null);
        }

        return Encoding.UTF8.GetString(buffer).TrimEnd('\0').Trim();
    }

    public static string ErrorName(int status) => status switch
    {
        -1 => "CL_DEVICE_NOT_FOUND",
        -2 => "CL_DEVICE_NOT_AVAILABLE",
        -3 => "CL_COMPILER_NOT_AVAILABLE",
        -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5 => "CL_OUT_OF_RESOURCES",
        -6 => "CL_OUT_OF_HOST_MEMORY",
        -11 => "CL_BUILD_PROGRAM_FAILURE",
        -14 => "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
        -30 => "CL_INVALID_VALUE",
        -33 => "CL_INVALID_DEVICE",
        -34 => "CL_INVALID_CONTEXT",
        -36 => "CL_INVALID_COMMAND_QUEUE",
        -38 => "CL_INVALID_MEM_OBJECT",
        -42 => "CL_INVALID_BINARY",
        -43 => "CL_INVALID_BUILD_OPTIONS",
        -44 => "CL_INVALID_PROGRAM",
        -46 => "CL_INVALID_KERNEL_NAME",
        -48 => "CL_INVALID_KERNEL",
        -49 => "CL_INVALID_ARG_INDEX",
        -50 => "CL_INVALID_ARG_VALUE",
        -51 => "CL_INVALID_ARG_SIZE",
        -52 => "CL_INVALID_KERNEL_ARGS",
        -53 => "CL_INVALID_WORK_DIMENSION",
        -54 => "CL_INVALID_WORK_GROUP_SIZE",
        -55 => "CL_INVALID_WORK_ITEM_SIZE",
        -61 => "CL_INVALID_BUFFER_SIZE",
        -63 => "CL_INVALID_GLOBAL_WORK_SIZE",
        -1001 => "CL_PLATFORM_NOT_FOUND_KHR",
        _ => "CL error " + status,
    };

    private static (CL? Api, string? Error) Load()
    {
        try
        {
            return (CL.GetApi(), null);
        }
        catch (Exception ex) when (ex is DllNotFoundException or FileNotFoundException or TypeInitializationException or PlatformNotSupportedException or InvalidOperationException)
        {
            return (null, "the OpenCL ICD loader (libOpenCL) could not be loaded: " + ex.Message);
        }
    }
}

/// <summary>An OpenCL call failed; carries the status code and the function.</summary>
public sealed class OpenClException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OpenClException(int status, string function)
        : base($"{function} failed with {OpenClNative.ErrorName(status)} ({status}).")
    {
        Status = status;
        Function = function;
    }

    /// <summary>The OpenCL status code.</summary>
    public int Status { get; }

    /// <summary>The OpenCL function that failed.</summary>
    public string Function { get; }
}
