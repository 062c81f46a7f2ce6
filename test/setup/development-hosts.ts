// The tests run the simulator on loopback: they turn on the credential rules' development switch
// (docs/deployment.md, Security checklist). Tests of the refusal pass their own environment.
process.env.MIMECAST_DEV_HOSTS ??= 'loopback';
