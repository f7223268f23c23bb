using System.Security.Cryptography;
using System.Text;

namespace AgentDsl.Kernels;

/// <summary>Runs work-items <paramref name="begin"/> to <paramref name="end"/> (flattened, x fastest) of a launch in managed code.</summary>
public delegate void ManagedKernelRange(KernelLaunch launch, long begin, long end);
