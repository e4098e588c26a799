# The accounts table. Key schema and item layout: AccountsTableDefinition in
# src/Backends/Accounts/MetaServer.Accounts.DynamoDb (a test fails when the two drift).
# One table per environment, shared by every deployment version: accounts outlive deployments.
# The services get its name through MetaServer:Accounts:DynamoDb:TableName (output accounts_table_name).
# No TTL: accounts and device claims never expire.
resource "aws_dynamodb_table" "accounts" {
  name                        = "metaserver-${var.environment}-accounts"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.accounts_table_deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

# The matches table: ratings, matches, players' matchmaking state and tickets of the matches service.
# Key schema and item layout: ItemTableDefinition in src/Shared/MetaServer.DynamoDb (a test
# fails when the two drift). One item per store key; every write is a single-item conditional write on "version".
# Items that expire carry expires_at (epoch seconds): TTL deletes them some time after expiry, and the service reads
# them as absent from the moment they expire. The services get its name through MetaServer:Matches:DynamoDb:TableName
# (output matches_table_name).
resource "aws_dynamodb_table" "matches" {
  name                        = "metaserver-${var.environment}-matches"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.matches_table_deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

# The payments table: the purchase ledger (one item per store transaction key, with every attempt's verdict), the
# accounts' redemption attempt logs and the Google Play voided-purchases checkpoint of the payments service.
# Key schema and item layout: ItemTableDefinition in src/Shared/MetaServer.DynamoDb (a test
# fails when the two drift). Every write is a single-item conditional write on "version". Nothing in it expires (the
# ledger is the record of real-money purchases), so no TTL. The service gets its name through
# MetaServer:Payments:DynamoDb:TableName (output payments_table_name).
resource "aws_dynamodb_table" "payments" {
  name                        = "metaserver-${var.environment}-payments"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.payments_table_deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

# The friends table: each player's side of their relations (friends, pending requests, blocks), friend codes and the
# latest activity per player, for the friends service. Key schema and item layout: FriendsTableDefinition in
# src/Backends/Friends/MetaServer.Friends.DynamoDb (a test fails when the two drift). One item per store key; every
# write is a single-item conditional write on "version". Nothing expires. The services get its name through
# MetaServer:Friends:DynamoDb:TableName (output friends_table_name).
resource "aws_dynamodb_table" "friends" {
  name                        = "metaserver-${var.environment}-friends"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.friends_table_deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}
