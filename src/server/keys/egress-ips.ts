/** How an operator finds the server's egress IPs when EGRESS_IPS is not set (KeyRelay never guesses them). */
export const FIND_EGRESS_IPS = "the operator finds them by running `curl https://ifconfig.me` on the server, and can set EGRESS_IPS so KeyRelay shows them.";
