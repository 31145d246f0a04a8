// Imported first by tests that load handlers: the Lambda runtime always sets a Region; a laptop may not.
process.env.AWS_REGION ??= 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTESTONLY';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test-only-secret';
