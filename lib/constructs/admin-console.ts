// The admin console in AWS: a private S3 bucket that only CloudFront may read (origin access control), a distribution
// that serves the SPA under /console/ with security headers on every response, a CloudFront Function that sends `/`
// to the console and deep links to its index.html, and two deployments of the build: fingerprinted assets cached for a
// year, and the pages plus a config.json holding the API's URL, written at deploy time and revalidated on every load.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Where the SPA lives, in URLs and as the bucket's key prefix (Vite's `base`). */
export const CONSOLE_BASE_PATH = '/console/';
const KEY_PREFIX = CONSOLE_BASE_PATH.slice(1);

/** How long CloudFront's and S3's access logs are kept. */
export const LOG_RETENTION_DAYS = 90;

/** `Cache-Control` of Vite's fingerprinted files (`assets/*`): their names change whenever their content does. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** `Cache-Control` of index.html, config.json and the other unversioned files: revalidate (ETag) on every load. */
export const PAGE_CACHE_CONTROL = 'no-cache';

/** HSTS for two years, subdomains included (not `preload`: that is a commitment for a whole registrable domain). */
export const HSTS_MAX_AGE = Duration.days(730);

/**
 * The console's Content-Security-Policy: everything from its own origin, the API as the only other place it may
 * connect to, no inline or injected scripts, no plugins, no framing. Styles allow `'unsafe-inline'` (style
 * attributes set by React components and the chart library; inline CSS cannot run script), scripts never do.
 * Images and fonts allow `data:` because Vite inlines small files as data URIs.
 * @param apiOrigin the API's origin, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com` (may be a token).
 */
export const contentSecurityPolicy = (apiOrigin: string): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${apiOrigin}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');

/**
 * The viewer-request function (CloudFront Functions, JavaScript runtime 2.0):
 * - `/` (and `/index.html`, in case the default root object is applied first) and `/console` redirect to `/console/`;
 * - under `/console/`, a path whose last segment is not a static file (`/console/users/01J…`) is a route of the SPA:
 *   it is served `/console/index.html`, with a 200, and the SPA's router reads the address bar;
 * - everything else (the fingerprinted assets, config.json, favicon) goes to S3 as asked; a missing file stays an
 *   error instead of becoming an HTML page that a `<script>` tag would choke on.
 * The list of file extensions is explicit so that a route segment containing a dot (an email address) is still a route.
 */
export const ROUTER_FUNCTION_CODE = `
var FILE = /\\.(?:html|js|mjs|css|map|json|txt|xml|webmanifest|ico|png|jpe?g|gif|svg|webp|avif|woff2?|ttf|otf|wasm)$/i;
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/index.html' || uri === '${CONSOLE_BASE_PATH.slice(0, -1)}') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${CONSOLE_BASE_PATH}' }, 'cache-control': { value: 'no-cache' } } };
  }
  if (uri.indexOf('${CONSOLE_BASE_PATH}') === 0 && !FILE.test(uri)) {
    request.uri = '${CONSOLE_BASE_PATH}index.html';
  }
  return request;
}
`.trim();

export interface ConsoleDomain {
  /** The console's host names (DNS is yours to point at the distribution's domain name). */
  names: string[];
  /** An ACM certificate in us-east-1 that covers every name. */
  certificate: ICertificate;
}

export interface AdminConsoleProps {
  /** The built SPA (Vite's `dist`): index.html at its root, fingerprinted files under `assets/`. */
  site: ISource;
  /**
   * The API's base URL, an origin without a path (`https://abc123.execute-api.eu-west-1.amazonaws.com`); written to
   * config.json at deploy time and the only cross-origin address the Content-Security-Policy lets the console call.
   */
  apiUrl: string;
  /** A custom domain with its certificate; only then can CloudFront enforce TLS 1.2 (`TLSv1.2_2021`). @default the distribution's cloudfront.net name */
  domain?: ConsoleDomain;
  /** ARN of an AWS WAF web ACL (scope CLOUDFRONT, created in us-east-1). @default none */
  webAclArn?: string;
  /** @default PriceClass.PRICE_CLASS_100 (North America and Europe edges) */
  priceClass?: PriceClass;
}

export class AdminConsole extends Construct {
  /** The private bucket the build is deployed to, under the `console/` prefix. */
  readonly bucket: Bucket;
  /** CloudFront's and S3's access logs (`cloudfront/` and `site/` prefixes), kept {@link LOG_RETENTION_DAYS} days. */
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly responseHeadersPolicy: ResponseHeadersPolicy;
  /** The console's address: `https://<domain>/console/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: AdminConsoleProps) {
    super(scope, id);

    this.logBucket = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED, // the only encryption S3 server access logging delivers into
      enforceSSL: true,
      // CloudFront's standard logging writes with an ACL; a bucket that disables ACLs gets no logs.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(LOG_RETENTION_DAYS), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // Access logs are evidence: they outlive the stack (and still expire by the lifecycle rule).
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Not versioned: every object is build output that git reproduces; going back is redeploying an older commit.
      versioned: false,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site/',
      // A rebuildable artifact: deleting the stack deletes the bucket, which CloudFormation can only do when it is empty.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Taskwell admin console: HSTS, CSP (API origin only), nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        // Console URLs name users and records; other sites need not learn them.
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.apiUrl), override: true },
        // The legacy XSS auditor is itself exploitable; modern advice is to switch it off and rely on the CSP.
        xssProtection: { protection: false, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()', override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    const router = new CloudFrontFunction(this, 'Router', {
      code: FunctionCode.fromInline(ROUTER_FUNCTION_CODE),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Redirects / to /console/ and serves SPA routes their index.html',
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Taskwell admin console',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: CachedMethods.CACHE_GET_HEAD,
        // Honours the objects' Cache-Control (a year for assets, revalidation for pages), compresses, no cookies.
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [{ eventType: FunctionEventType.VIEWER_REQUEST, function: router }],
      },
      // The router answers `/` with a redirect; if CloudFront applied this first, the router redirects `/index.html` too.
      defaultRootObject: 'index.html',
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_100,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      ...(props.domain
        ? {
            domainNames: props.domain.names,
            certificate: props.domain.certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });

    // Assets first, so that a new index.html never names a file that is not there yet. They are not pruned: a console
    // still open on the previous build keeps loading its lazily imported chunks (fingerprinted, so never stale).
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [props.site],
      destinationBucket: this.bucket,
      destinationKeyPrefix: KEY_PREFIX,
      exclude: ['*'],
      include: ['assets/*'],
      prune: false,
      cacheControl: [CacheControl.fromString(ASSET_CACHE_CONTROL)],
    });
    // Then everything else, with config.json last so that it wins over any config.json the build carries (a dev
    // default in Vite's public/). Pruned, except for the assets the deployment above owns.
    const pages = new BucketDeployment(this, 'DeployPages', {
      sources: [props.site, Source.jsonData('config.json', { apiUrl: props.apiUrl })],
      destinationBucket: this.bucket,
      destinationKeyPrefix: KEY_PREFIX,
      exclude: ['assets/*'],
      prune: true,
      cacheControl: [CacheControl.fromString(PAGE_CACHE_CONTROL)],
    });
    pages.node.addDependency(assets);

    const host = props.domain?.names[0] ?? this.distribution.distributionDomainName;
    this.url = `https://${host}${CONSOLE_BASE_PATH}`;

    this.suppressions(props);
  }

  private suppressions(props: AdminConsoleProps): void {
    NagSuppressions.addResourceSuppressions(this.logBucket, [
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the access-log bucket itself (CloudFront and the site bucket log into it); logging it into itself would loop.',
      },
    ]);
    const distribution = [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: administrators work from anywhere, and the console is public static files; every ' +
          'action goes through the API, which requires an admin token. Add one per deployment if policy demands it.',
      },
    ];
    if (!props.webAclArn) {
      distribution.push({
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF by default: the distribution serves only static files (GET/HEAD, no origin logic), and the API it ' +
          'calls is throttled and authorizes every request. Set context taskwell:consoleWebAclArn to attach a web ACL.',
      });
    }
    if (!props.domain) {
      distribution.push({
        id: 'AwsSolutions-CFR4',
        reason:
          "The distribution uses CloudFront's default *.cloudfront.net certificate, whose security policy AWS fixes at " +
          'TLSv1 (browsers still negotiate TLS 1.2/1.3 and HSTS keeps them on HTTPS). Set context ' +
          'taskwell:consoleDomain and taskwell:consoleCertificateArn to enforce TLSv1.2_2021.',
      });
    }
    NagSuppressions.addResourceSuppressions(this.distribution, distribution);

    // BucketDeployment's handler: one Lambda per stack that CDK owns (code, runtime and policy are generated).
    const stack = Stack.of(this);
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) throw new Error('BucketDeployment created no handler function');
    const siteBucket = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)) as string;
    NagSuppressions.addResourceSuppressions(
      handler,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason: 'CDK\'s BucketDeployment handler role uses AWSLambdaBasicExecutionRole (write its own logs only); the role is generated by aws-cdk-lib.',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'CDK\'s BucketDeployment grants: read the zipped build from the CDK assets bucket (s3:GetObject*/GetBucket*/List* ' +
            'on it) and sync it into the console bucket (objects under it, s3:DeleteObject*/Abort* for prune and multipart). ' +
            'Scoped to those two buckets; the wildcards are object keys that change with every build.',
          appliesTo: [
            'Action::s3:GetBucket*',
            'Action::s3:GetObject*',
            'Action::s3:List*',
            'Action::s3:Abort*',
            'Action::s3:DeleteObject*',
            { regex: '/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>\\/\\*$/' },
            `Resource::<${siteBucket}.Arn>/*`,
          ],
        },
        {
          id: 'AwsSolutions-L1',
          reason: 'The BucketDeployment handler (Python and the AWS CLI layer) is versioned with aws-cdk-lib; upgrading aws-cdk-lib upgrades its runtime.',
        },
      ],
      true,
    );
  }
}
