// conn-loop PORT N [MAXSEC [HOST]] (benchmark/conn-cost.sh): N times: connect to HOST:PORT (127.0.0.1), ACTIVE_TEST (cmd 111), read the
// 10-byte answer, send QUIT (82), close -- the official client's connection-per-operation shape.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int c,char**v){int port=atoi(v[1]);long n=atol(v[2]);double maxs=c>3?atof(v[3]):30;
 struct sockaddr_in a;memset(&a,0,sizeof a);a.sin_family=AF_INET;a.sin_port=htons(port);a.sin_addr.s_addr=htonl(0x7f000001);if(c>4)inet_pton(AF_INET,v[4],&a.sin_addr);
 unsigned char at[10]={0},q[10]={0},r[10];at[8]=111;q[8]=82;double t0=now();long i;
 for(i=0;i<n&&now()-t0<maxs;i++){int s=socket(AF_INET,SOCK_STREAM,0);
  if(connect(s,(void*)&a,sizeof a)){perror("connect");return 1;}
  if(write(s,at,10)!=10){perror("w");return 1;}
  int got=0;while(got<10){int k=read(s,r+got,10-got);if(k<=0){perror("r");return 1;}got+=k;}
  if(r[9]!=0){fprintf(stderr,"status %d\n",r[9]);return 1;}
  write(s,q,10);close(s);}
 double el=now()-t0;printf("%ld connections in %.3f s: %.1f us each\n",i,el,el*1e6/i);return 0;}
