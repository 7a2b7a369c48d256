"""boto3 behind the ports of `pressroom.ports`. Each adapter takes its client in the constructor."""
