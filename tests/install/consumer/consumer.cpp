// Uses libauth only through its installed headers: parses a name and a header value.
#include <auth/authres.hpp>
#include <auth/domain_name.hpp>

#include <iostream>

int main() {
  auto name = auth::DomainName::parse("Mail.Example.COM");
  auto results = auth::authres::parse(" mx.example.org; spf=pass smtp.mailfrom=example.com");
  if (!name || !results || results->results.size() != 1) return 1;
  std::cout << name->parent().str() << " " << results->results[0].result << "\n";
}
