// The JavaScript SDK as a client of runas's credential endpoints (tests/serve.rs): the
// STS client with its default credential chain, as a program would use it; prints ARN=.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";

const region = process.env.AWS_REGION ?? "us-east-1";
const chain = await fromNodeProviderChain()();
const client = new STSClient({ region });
const identity = await client.send(new GetCallerIdentityCommand({}));
console.log(`ARN=${identity.Arn}`);
console.log(`KEY=${chain.accessKeyId.slice(0, 4)}`);
