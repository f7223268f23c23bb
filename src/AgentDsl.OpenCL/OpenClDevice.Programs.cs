using System.Security.Cryptography;
using System.Text;
using AgentDsl.Kernels;
using Microsoft.Extensions.Logging;
using Silk.NET.OpenCL;

namespace AgentDsl.OpenCL;

public sealed partial class OpenClDevice
{
    private Task<CompiledKernel> GetKernelAsync(KernelDefinition kernel) =>
        _programs.GetOrAdd(
            kernel.SourceHash + ":" + kernel.EntryPoint,
            _ => new Lazy<Task<CompiledKernel>>(() => Task.Run(() => Build(kernel)))).Value;

    private unsafe CompiledKernel Build(KernelDefinition kernel)
    {
        nint device = Info.DeviceHandle;
        string? cacheFile = CacheFile(kernel);
        nint program = 0;
        if (cacheFile is not null && File.Exists(cacheFile))
        {
            program = TryLoadBinary(File.ReadAllBytes(cacheFile), device);
            if (program != 0)
            {
                Interlocked.Increment(ref _fromCache);
                LogDebugProgramFromCache(kernel.Name, Name, cacheFile);
            }
        }

        if (program == 0)
        {
            program = BuildFromSource(kernel, device);
            Interlocked.Increment(ref _fromSource);
            if (cacheFile is not null)
            {
                TrySaveBinary(program, cacheFile);
            }
        }

        int status;
        byte[] entry = Encoding.ASCII.GetBytes(kernel.EntryPoint + "\0");
        nint clKernel;
        fixed (byte* e = entry)
        {
            clKernel = _cl.CreateKernel(program, e, &status);
        }

        if (status != 0)
        {
            _cl.ReleaseProgram(program);
            throw new KernelBuildException(kernel.Name, Name, $"clCreateKernel('{kernel.EntryPoint}') failed with {OpenClNative.ErrorName(status)}.");
        }

        return new CompiledKernel(program, clKernel);
    }

    private unsafe nint BuildFromSource(KernelDefinition kernel, nint device)
    {
        int status;
        byte[] source = Encoding.UTF8.GetBytes(kernel.Source);
        nint program;
        fixed (byte* s = source)
        {
            byte* strings = s;
            nuint length = (nuint)source.Length;
            program = _cl.CreateProgramWithSource(_context, 1, &strings, &length, &status);
        }

        OpenClNative.Check(status, "clCreateProgramWithSource");
        byte[] options = Encoding.ASCII.GetBytes(_buildOptions + "\0");
        fixed (byte* o = options)
        {
            status = _cl.BuildProgram(program, 1, &device, o, null, null);
        }

        if (status != 0)
        {
            string log = OpenClNative.BuildLog(_cl, program, device);
            _cl.ReleaseProgram(program);
            LogBuildFailed(kernel.Name, Name, log);
            throw new KernelBuildException(kernel.Name, Name, $"{OpenClNative.ErrorName(status)}\n{log}");
        }

        LogDebugProgramBuilt(kernel.Name, Name);
        return program;
    }

    private unsafe nint TryLoadBinary(byte[] binary, nint device)
    {
        int status, binaryStatus;
        nint program;
        fixed (byte* b = binary)
        {
            byte* binaries = b;
            nuint length = (nuint)binary.Length;
            program = _cl.CreateProgramWithBinary(_context, 1, &device, &length, &binaries, &binaryStatus, &status);
        }

        if (status != 0 || binaryStatus != 0)
        {
            if (program != 0)
            {
                _cl.ReleaseProgram(program);
            }

            return 0;
        }

        byte[] options = Encoding.ASCII.GetBytes(_buildOptions + "\0");
        fixed (byte* o = options)
        {
            status = _cl.BuildProgram(program, 1, &device, o, null, null);
        }

        if (status != 0)
        {
            _cl.ReleaseProgram(program);
            return 0;
        }

        return program;
    }

    private unsafe void TrySaveBinary(nint program, string cacheFile)
    {
        try
        {
            nuint size;
            if (_cl.GetProgramInfo(program, ProgramInfo.BinarySizes, (nuint)sizeof(nuint), &size, null) != 0 || size == 0)
            {
                return;
            }

            var binary = new byte[(int)size];
            fixed (byte* b = binary)
            {
                byte* pointer = b;
                if (_cl.GetProgramInfo(program, ProgramInfo.Binaries, (nuint)sizeof(nint), &pointer, null) != 0)
                {
                    return;
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
            string temp = cacheFile + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temp, binary);
            File.Move(temp, cacheFile, overwrite: true);
        }
        catch (IOException ex)
        {
            LogCacheWriteFailed(ex, cacheFile);
        }
        catch (UnauthorizedAccessException ex)
        {
            LogCacheWriteFailed(ex, cacheFile);
        }
    }

    /// <summary>The cache file of a kernel's binary: keyed by source, device, driver and build options.</summary>
    private string? CacheFile(KernelDefinition kernel)
    {
        if (_cacheDirectory is null)
        {
            return null;
        }

        string key = string.Join("\n", kernel.SourceHash, Info.PlatformName, Info.Name, Info.Version, Info.DriverVersion, _buildOptions);
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        return Path.Combine(_cacheDirectory, hash + ".clbin");
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Kernel {Kernel} built from source on {Device}")]
    private partial void LogDebugProgramBuilt(string kernel, string device);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Kernel {Kernel} loaded on {Device} from the program cache {CacheFile}")]
    private partial void LogDebugProgramFromCache(string kernel, string device, string cacheFile);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Kernel {Kernel} failed to build on {Device}: {BuildLog}")]
    private partial void LogBuildFailed(string kernel, string device, string buildLog);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Could not write the program cache file {CacheFile}")]
    private partial void LogCacheWriteFailed(Exception exception, string cacheFile);

    private sealed class CompiledKernel(nint program, nint kernel)
    {
        public nint Program { get; } = program;

        public nint Kernel { get; } = kernel;

        /// <summary>clSetKernelArg is not thread-safe for one kernel object: arguments and enqueue happen under this lock.</summary>
        public object Gate { get; } = new();
    }
}
