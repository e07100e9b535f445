"""Makes an IAM user in moto with policies of every kind (inline and managed, its own and
its group's), a group and an MFA device; prints its access key id and secret.

usage: iam_user.py MOTO_URL
"""
import json
import sys

import boto3

iam = boto3.client(
    "iam",
    endpoint_url=sys.argv[1],
    region_name="us-east-1",
    aws_access_key_id="AKIDSETUP",
    aws_secret_access_key="setup",
)
ACCOUNT = "123456789012"


def allow(*resources):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(resources)}
            ],
        }
    )


iam.create_user(UserName="alice")
key = iam.create_access_key(UserName="alice")["AccessKey"]
iam.put_user_policy(
    UserName="alice", PolicyName="own", PolicyDocument=allow(f"arn:aws:iam::{ACCOUNT}:role/UserInline")
)
managed = iam.create_policy(
    PolicyName="managed",
    PolicyDocument=allow(f"arn:aws:iam::{ACCOUNT}:role/UserManaged", "arn:aws:iam::*:role/Wildcard"),
)
iam.attach_user_policy(UserName="alice", PolicyArn=managed["Policy"]["Arn"])
iam.create_group(GroupName="devs")
iam.add_user_to_group(GroupName="devs", UserName="alice")
iam.put_group_policy(
    GroupName="devs", PolicyName="group", PolicyDocument=allow("arn:aws:iam::210987654321:role/GroupInline")
)
group = iam.create_policy(
    PolicyName="group-managed", PolicyDocument=allow(f"arn:aws:iam::{ACCOUNT}:role/GroupManaged")
)
iam.attach_group_policy(GroupName="devs", PolicyArn=group["Policy"]["Arn"])
device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
iam.enable_mfa_device(
    UserName="alice",
    SerialNumber=device["SerialNumber"],
    AuthenticationCode1="123456",
    AuthenticationCode2="654321",
)
print(key["AccessKeyId"], key["SecretAccessKey"])
