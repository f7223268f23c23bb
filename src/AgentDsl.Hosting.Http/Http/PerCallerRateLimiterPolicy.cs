using System.Globalization;
using System.Threading.RateLimiting;
using AgentDsl.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AgentDsl.Http;

/// <summary>
/// A fixed window of <see cref="AgentDslHttpOptions.RateLimitPermits"/> requests per caller: the authenticated identity
/// (<c>key:{index}</c> for API keys), else the remote address. Rejections are 429 with <c>Retry-After</c>.
/// </summary>
internal sealed class PerCallerRateLimiterPolicy(IOptions<AgentDslHttpOptions> options) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = static (context, _) =>
    {
        context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return ValueTask.CompletedTask;
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var settings = options.Value;
        string caller = httpContext.User.Identity is { IsAuthenticated: true, Name: { } name }
            ? name
            : "ip:" + httpContext.Connection.RemoteIpAddress;
        return settings.RateLimitPermits <= 0
            ? RateLimitPartition.GetNoLimiter(caller)
            : RateLimitPartition.GetFixedWindowLimiter(caller, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.RateLimitPermits,
                Window = settings.RateLimitWindow,
                QueueLimit = 0,
            });
    }
}
